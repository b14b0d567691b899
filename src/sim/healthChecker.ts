// Runs a task's HealthCheck as Mesos's health checker does (delay, interval,
// timeout, grace period, consecutive failures). It reports health changes and
// the need to kill; it never kills anything itself.

import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Logger } from '../common/log.js';
import type { HealthCheck } from '../mesos/types.js';
import { commandEnvironment } from './sandbox.js';

export interface HealthReport {
  healthy: boolean;
  consecutiveFailures: number;
  killTask: boolean;
}

export interface HealthCheckContext {
  env: Record<string, string>;
  cwd: string;
  logger: Logger;
}

/**
 * First check after delay_seconds, then interval_seconds after each result; a
 * check slower than timeout_seconds fails. Failures within grace_period_seconds
 * of launch are ignored until the first success. One healthy report on the first
 * success and on each recovery; an unhealthy report on every counted failure,
 * asking for the kill once consecutive_failures is reached.
 */
export class HealthChecker {
  private readonly startTime = Date.now();
  private initializing = true;
  private consecutiveFailures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly check: HealthCheck,
    private readonly ctx: HealthCheckContext,
    private readonly report: (r: HealthReport) => void,
  ) {}

  start(): void {
    this.schedule((this.check.delay_seconds ?? 15) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce(), delayMs);
    this.timer.unref();
  }

  private async runOnce(): Promise<void> {
    const timeoutMs = (this.check.timeout_seconds ?? 20) * 1000;
    let passed: boolean;
    try {
      passed = await this.probe(timeoutMs);
    } catch (err) {
      this.ctx.logger.debug({ err }, 'health check failed');
      passed = false;
    }
    if (this.stopped) return;
    if (passed) this.success();
    else this.failure();
    this.schedule((this.check.interval_seconds ?? 10) * 1000);
  }

  private success(): void {
    if (this.initializing || this.consecutiveFailures > 0) {
      this.report({ healthy: true, consecutiveFailures: 0, killTask: false });
      this.initializing = false;
    }
    this.consecutiveFailures = 0;
  }

  private failure(): void {
    const graceMs = (this.check.grace_period_seconds ?? 10) * 1000;
    if (this.initializing && graceMs > 0 && Date.now() - this.startTime <= graceMs) {
      this.ctx.logger.info('health check failed within the grace period; ignored');
      return;
    }
    this.consecutiveFailures++;
    const killTask = this.consecutiveFailures >= (this.check.consecutive_failures ?? 3);
    this.report({ healthy: false, consecutiveFailures: this.consecutiveFailures, killTask });
    if (killTask) this.stop();
  }

  private probe(timeoutMs: number): Promise<boolean> {
    switch (this.check.type) {
      case 'COMMAND':
        return this.probeCommand(timeoutMs);
      case 'HTTP':
        return this.probeHttp(timeoutMs);
      case 'TCP':
        return this.probeTcp(timeoutMs);
      default:
        return Promise.resolve(false);
    }
  }

  private probeCommand(timeoutMs: number): Promise<boolean> {
    const command = this.check.command!;
    const env = { ...this.ctx.env, ...commandEnvironment(command) };
    const shell = command.shell !== false;
    const child = shell
      ? spawn('/bin/sh', ['-c', command.value ?? ''], { cwd: this.ctx.cwd, env, stdio: 'ignore', detached: true })
      : spawn(command.value ?? '', (command.arguments ?? []).slice(1), { cwd: this.ctx.cwd, env, stdio: 'ignore', detached: true, argv0: command.arguments?.[0] ?? command.value ?? '' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        killGroup(child.pid);
        resolve(false);
      }, timeoutMs);
      child.on('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        killGroup(child.pid);
        resolve(code === 0);
      });
    });
  }

  private probeHttp(timeoutMs: number): Promise<boolean> {
    const http = this.check.http!;
    const scheme = http.scheme ?? 'http';
    const url = `${scheme}://127.0.0.1:${http.port}${http.path ?? ''}`;
    const request = scheme === 'https' ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      const req = request(url, { method: 'GET', timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  private probeTcp(timeoutMs: number): Promise<boolean> {
    const port = this.check.tcp!.port;
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(timeoutMs, () => done(false));
      socket.on('connect', () => done(true));
      socket.on('error', () => done(false));
    });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}
