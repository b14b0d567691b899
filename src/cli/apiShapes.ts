// The parts of the API's answers the CLI's tables read. Loose on purpose:
// every field may be missing, and fields the CLI does not know are passed
// through untouched by --json. Shapes only.

export interface DatasetShape {
  name: string;
  sizeMiB?: number;
  backend?: string;
  profile?: string;
  state?: string;
  agentId?: string;
  hostname?: string;
  hostPath?: string;
  zone?: string;
  owner?: { appId: string; instance: number };
  taskId?: string;
  inUse?: boolean;
  reason?: string;
  metadata?: Record<string, string>;
  createdAt?: string;
  updatedAt?: string;
}

export interface TaskShape {
  id: string;
  instance?: number;
  agentId?: string;
  hostname?: string;
  state?: string;
  dataVia?: string;
  dataset?: string;
  healthy?: boolean;
  message?: string;
  ports?: number[];
  launchedAt?: string;
}

export interface AppDefinitionShape {
  id: string;
  cmd?: string;
  args?: string[];
  instances?: number;
  version?: string;
  container?: {
    volumes?: {
      containerPath?: string;
      external?: { name?: string; size?: number; options?: Record<string, string> };
      persistent?: { size?: number };
    }[];
  };
}

export interface AppSummaryShape extends AppDefinitionShape {
  tasksRunning?: number;
  tasksStaged?: number;
  tasksHealthy?: number;
  tasksUnhealthy?: number;
}

export interface AppDetailShape {
  app: AppDefinitionShape;
  tasks?: TaskShape[];
  datasets?: DatasetShape[];
  pending?: { instance: number; reason: string }[];
}

export type MoveStateName = 'RUNNING' | 'SUCCEEDED' | 'ROLLED_BACK' | 'CANCELLED' | 'FAILED';

export interface MoveStepShape {
  step: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  detail?: string;
  outcome?: string;
}

export interface MoveShape {
  id: string;
  dataset?: string;
  appId?: string;
  instance?: number;
  backend?: string;
  kind?: string;
  trigger?: string;
  from?: string;
  to?: string;
  state: MoveStateName | string;
  step?: string;
  steps?: MoveStepShape[];
  rounds?: unknown[];
  error?: string;
  durationMs?: number;
  createdAt?: string;
  endedAt?: string;
}

export interface AgentShape {
  id: string;
  hostname?: string;
  attributes?: Record<string, unknown> | { name: string; text?: { value: string }; scalar?: { value: number } }[];
  datasets?: unknown[] | number;
  tasks?: unknown[] | number;
  [key: string]: unknown;
}
