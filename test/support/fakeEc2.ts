// A fake EC2 endpoint for tests: an HTTP server on 127.0.0.1 speaking the EC2
// Query protocol the AWS SDK uses (form-encoded POST, 2016-11-15 XML replies,
// EC2 error XML with 400/503), for the volume calls Ferry makes. States change
// asynchronously after configurable delays, and throttling or any error can be
// injected. It never talks to AWS and keeps everything in memory. With
// `backing` (root only), volumes are real: each is a sparse image file, an
// attached volume is a loop device linked under its instance's device root,
// and detaching behaves as EBS does (a mounted device stays busy; a forced
// detach takes the device from under its users).

import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm, symlink } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, join } from 'node:path';
import { silentLogger } from '../../src/common/log.js';
import { killHoldersAndUnmount } from '../../src/node/block/deviceMount.js';
import { attachLoopDevice, detachLoopDevice, loopDevicesOf } from '../../src/node/block/loopDevices.js';
import { mountsOfDevice } from '../../src/node/block/mountTable.js';

export interface FakeInstance {
  instanceId: string;
  zone: string;
  privateDnsName: string;
  privateIp: string;
  /** device names already taken on it (the root volume, volumes Ferry does not know) */
  devices?: string[];
  /** a normal (not forced) detach from this instance never completes, as with a hung host */
  hangsOnDetach?: boolean;
}

/** Real devices behind the fake's volumes (needs root: losetup, mount, fuser). */
export interface FakeEc2Backing {
  /** where each volume's sparse image (`<volume id>.img`, as large as the volume) is kept */
  imageDir: string;
  /** the directory in which an instance sees its attached devices (its agent's `ferry_device_root`) */
  deviceRoot: (instanceId: string) => string;
}

export interface FakeEc2Options {
  zones?: string[];
  instances?: FakeInstance[];
  /** how long creating → available, attaching → attached, detaching → available, deleting → gone take */
  delaysMs?: { create?: number; attach?: number; detach?: number; delete?: number };
  /** every Nth request (counting all) is refused with RequestLimitExceeded */
  throttleEveryNth?: number;
  /** DescribeVolumes pages hold at most this many volumes */
  pageSize?: number;
  backing?: FakeEc2Backing;
}

interface FakeAttachment {
  instanceId: string;
  device: string;
  /** 'busy': a normal detach waits for the instance to stop using the device (it is still mounted there) */
  state: 'attaching' | 'attached' | 'detaching' | 'busy';
  attachTime: string;
  /** a forced detach was asked for: it wins over a busy normal one */
  forced?: boolean;
  /** backing: the loop device that is this attachment, and its link under the instance's device root */
  loopDevice?: string;
  link?: string;
}

interface FakeVolume {
  volumeId: string;
  size: number;
  zone: string;
  type: string;
  iops?: number;
  state: 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted';
  createTime: string;
  attachment?: FakeAttachment;
  tags: Map<string, string>;
  clientToken?: string;
  /** backing: the sparse image file holding the volume's blocks */
  image?: string;
}

interface InjectedError {
  action: string;
  code: string;
  message: string;
  status: number;
  times: number;
}

class Ec2Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const SIZE_LIMITS: Record<string, [number, number]> = { gp3: [1, 16_384], gp2: [1, 16_384], io1: [4, 16_384], io2: [4, 65_536], st1: [125, 16_384], sc1: [125, 16_384], standard: [1, 1024] };
const VALID_DEVICE = /^\/dev\/(sd[b-z]|xvd[b-z])$/;
const GiB = 1024 ** 3;
/** how often a busy detach looks again whether the instance has unmounted the device */
const BUSY_RECHECK_MS = 25;

export class FakeEc2 {
  readonly zones: string[];
  readonly instances = new Map<string, FakeInstance>();
  readonly volumes = new Map<string, FakeVolume>();
  /** every request's Action, in order, throttled ones included */
  readonly requests: string[] = [];
  /** backing: device work that failed (losetup, links), in order; a test expects none */
  readonly deviceErrors: string[] = [];
  /** backing: forced detaches that took a device from processes or mounts still using it */
  readonly fencedUsers: { volumeId: string; instanceId: string; mountPoints: string[]; pids: string }[] = [];
  throttled = 0;
  throttleEveryNth: number | undefined;
  private readonly tokens = new Map<string, FakeVolume>();
  private readonly injected: InjectedError[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly delays: Required<NonNullable<FakeEc2Options['delaysMs']>>;
  private readonly pageSize: number;
  private readonly backing: FakeEc2Backing | undefined;
  /** backing: each volume's device work, one step after another */
  private readonly deviceWork = new Map<string, Promise<void>>();
  private server: Server | undefined;
  private sequence = 0;

  constructor(options: FakeEc2Options = {}) {
    this.zones = options.zones ?? ['us-east-1a', 'us-east-1b'];
    for (const instance of options.instances ?? []) this.instances.set(instance.instanceId, instance);
    this.delays = { create: 20, attach: 20, detach: 20, delete: 10, ...options.delaysMs };
    this.throttleEveryNth = options.throttleEveryNth;
    this.pageSize = options.pageSize ?? 1000;
    this.backing = options.backing;
  }

  /** Starts listening on 127.0.0.1 and returns the endpoint URL for the SDK. */
  async start(): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops serving and, with backing, releases every loop device of its images (unmounting them first); never throws. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.allSettled([...this.deviceWork.values()]);
    if (this.backing !== undefined) await this.releaseAllDevices(this.backing);
  }

  /** The next `times` calls of `action` (or '*' for any) fail with this EC2 error. */
  inject(action: string, code: string, message: string, times = 1, status = 400): void {
    this.injected.push({ action, code, message, status, times });
  }

  /** The next `count` requests, whatever they are, are throttled. */
  throttleNext(count: number): void {
    this.inject('*', 'RequestLimitExceeded', 'Request limit exceeded.', count, 503);
  }

  count(action: string): number {
    return this.requests.filter((a) => a === action).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    this.requests.push(action);
    this.sequence++;
    let xml: string;
    try {
      this.refuseIfInjected(action);
      xml = this.dispatch(action, params);
    } catch (err) {
      const refusal = err instanceof Ec2Refusal ? err : new Ec2Refusal('InternalError', (err as Error).message, 500);
      if (refusal.code === 'RequestLimitExceeded') this.throttled++;
      res.writeHead(refusal.status, { 'content-type': 'text/xml;charset=UTF-8' });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(refusal.code)}</Code><Message>${esc(refusal.message)}</Message></Error></Errors><RequestID>${this.requestId()}</RequestID></Response>`,
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NS}"><requestId>${this.requestId()}</requestId>${xml}</${action}Response>`);
  }

  private refuseIfInjected(action: string): void {
    if (this.throttleEveryNth !== undefined && this.sequence % this.throttleEveryNth === 0) {
      throw new Ec2Refusal('RequestLimitExceeded', 'Request limit exceeded.', 503);
    }
    const injected = this.injected.find((i) => i.times > 0 && (i.action === action || i.action === '*'));
    if (injected === undefined) return;
    injected.times--;
    throw new Ec2Refusal(injected.code, injected.message, injected.status);
  }

  private dispatch(action: string, params: URLSearchParams): string {
    switch (action) {
      case 'CreateVolume':
        return this.createVolume(params);
      case 'DescribeVolumes':
        return this.describeVolumes(params);
      case 'AttachVolume':
        return this.attachVolume(params);
      case 'DetachVolume':
        return this.detachVolume(params);
      case 'DeleteVolume':
        return this.deleteVolume(params);
      case 'DescribeInstances':
        return this.describeInstances(params);
      case 'CreateTags':
        return this.createTags(params);
      default:
        throw new Ec2Refusal('InvalidAction', `The action ${action} is not valid for this web service.`);
    }
  }

  private createVolume(params: URLSearchParams): string {
    const token = params.get('ClientToken') ?? undefined;
    const zone = required(params, 'AvailabilityZone');
    const size = Number(required(params, 'Size'));
    const type = params.get('VolumeType') ?? 'gp2';
    const iops = params.get('Iops');
    if (token !== undefined) {
      const earlier = this.tokens.get(token);
      if (earlier !== undefined) {
        if (earlier.size !== size || earlier.zone !== zone || earlier.type !== type) {
          throw new Ec2Refusal('IdempotentParameterMismatch', 'The client token you have provided is associated with a resource that has different parameters.');
        }
        return volumeXml(earlier, false);
      }
    }
    if (!this.zones.includes(zone)) throw new Ec2Refusal('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
    const limits = SIZE_LIMITS[type];
    if (limits === undefined) throw new Ec2Refusal('InvalidParameterValue', `Value (${type}) for parameter volumeType is invalid.`);
    if (!Number.isInteger(size) || size < limits[0] || size > limits[1]) {
      throw new Ec2Refusal('InvalidParameterValue', `Volume of ${size}GiB is outside the range of ${limits[0]}-${limits[1]}GiB for volume type ${type}.`);
    }
    if ((type === 'io1' || type === 'io2') && iops === null) throw new Ec2Refusal('MissingParameter', `The request must contain the parameter iops for volume type ${type}.`);
    const volume: FakeVolume = {
      volumeId: `vol-${hex(17)}`,
      size,
      zone,
      type,
      state: 'creating',
      createTime: new Date().toISOString(),
      tags: new Map(),
    };
    if (iops !== null) volume.iops = Number(iops);
    if (this.backing !== undefined) {
      volume.image = join(this.backing.imageDir, `${volume.volumeId}.img`);
      writeFileSync(volume.image, '', { flag: 'wx' });
      truncateSync(volume.image, size * GiB);
    }
    for (const [key, value] of indexedPairs(params, 'TagSpecification.1.Tag', 'Key', 'Value')) volume.tags.set(key, value);
    if (token !== undefined) {
      volume.clientToken = token;
      this.tokens.set(token, volume);
    }
    this.volumes.set(volume.volumeId, volume);
    this.later(this.delays.create, () => {
      if (volume.state === 'creating') volume.state = 'available';
    });
    return volumeXml(volume, false);
  }

  private describeVolumes(params: URLSearchParams): string {
    const ids = indexed(params, 'VolumeId');
    for (const id of ids) {
      if (!this.volumes.has(id)) throw new Ec2Refusal('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    }
    let found = ids.length > 0 ? ids.map((id) => this.volumes.get(id)!) : [...this.volumes.values()];
    for (const filter of filters(params)) found = found.filter((v) => volumeMatches(v, filter.name, filter.values));
    const start = Number(params.get('NextToken') ?? '0');
    const max = Math.min(Number(params.get('MaxResults') ?? this.pageSize), this.pageSize);
    const page = found.slice(start, start + max);
    const next = start + max < found.length ? `<nextToken>${start + max}</nextToken>` : '';
    return `<volumeSet>${page.map((v) => `<item>${volumeXml(v, true)}</item>`).join('')}</volumeSet>${next}`;
  }

  private attachVolume(params: URLSearchParams): string {
    const volume = this.requireVolume(required(params, 'VolumeId'));
    const instance = this.requireInstance(required(params, 'InstanceId'));
    const device = required(params, 'Device');
    if (volume.state === 'creating' || volume.state === 'deleting' || volume.state === 'deleted') {
      throw new Ec2Refusal('IncorrectState', `vol '${volume.volumeId}' is not 'available'.`);
    }
    if (volume.attachment !== undefined) throw new Ec2Refusal('VolumeInUse', `${volume.volumeId} is already attached to an instance`);
    if (volume.zone !== instance.zone) {
      throw new Ec2Refusal('InvalidVolume.ZoneMismatch', `The volume '${volume.volumeId}' is not in the same availability zone as instance '${instance.instanceId}'`);
    }
    if (!VALID_DEVICE.test(device)) throw new Ec2Refusal('InvalidParameterValue', `Value (${device}) for parameter device is invalid. ${device} is not a valid EBS device name.`);
    if (this.devicesOf(instance).some((d) => sameDevice(d, device))) {
      throw new Ec2Refusal('InvalidParameterValue', `Invalid value '${device}' for unixDevice. Attachment point ${device} is already in use`);
    }
    const attachment: FakeAttachment = { instanceId: instance.instanceId, device, state: 'attaching', attachTime: new Date().toISOString() };
    volume.attachment = attachment;
    volume.state = 'in-use';
    this.later(this.delays.attach, () => {
      if (volume.attachment !== attachment || attachment.state !== 'attaching') return;
      const backing = this.backing;
      if (backing === undefined) {
        attachment.state = 'attached';
        return;
      }
      // the device appears on the instance before EC2 reports the attachment complete
      this.onDevice(volume, async () => {
        if (volume.attachment !== attachment || attachment.state !== 'attaching') return;
        try {
          await this.plugIn(volume, attachment, backing);
          attachment.state = 'attached';
        } catch (err) {
          this.deviceErrors.push(`attaching ${volume.volumeId} to ${attachment.instanceId}: ${(err as Error).message}`);
          // EC2 drops an attachment that failed
          delete volume.attachment;
          volume.state = 'available';
        }
      });
    });
    return attachmentXml(volume.volumeId, attachment);
  }

  private detachVolume(params: URLSearchParams): string {
    const volume = this.requireVolume(required(params, 'VolumeId'));
    const instanceId = params.get('InstanceId');
    const force = params.get('Force') === 'true';
    const attachment = volume.attachment;
    if (attachment === undefined) throw new Ec2Refusal('IncorrectState', `Volume '${volume.volumeId}' is in the '${volume.state}' state.`);
    if (instanceId !== null && instanceId !== attachment.instanceId) {
      throw new Ec2Refusal('InvalidAttachment.NotFound', `Volume '${volume.volumeId}' is not attached to instance '${instanceId}'`);
    }
    if (attachment.state === 'attaching' && !force) throw new Ec2Refusal('IncorrectState', `Volume '${volume.volumeId}' is still attaching.`);
    if (attachment.state !== 'busy' || force) attachment.state = 'detaching';
    if (force) attachment.forced = true;
    const hangs = this.instances.get(attachment.instanceId)?.hangsOnDetach === true;
    if (!hangs || force) this.later(this.delays.detach, () => this.completeDetach(volume, attachment, force));
    return attachmentXml(volume.volumeId, attachment);
  }

  /**
   * Ends a detach. Backed, as EBS does: a normal detach of a device the
   * instance still has mounted stays 'busy' until it is unmounted there (EC2's
   * DetachVolume documentation); a forced one takes the device away from
   * under its users, so that nothing on the old instance can write to the
   * volume again: here by killing them and unmounting, then removing the
   * device.
   */
  private completeDetach(volume: FakeVolume, attachment: FakeAttachment, force: boolean): void {
    if (volume.attachment !== attachment || (attachment.forced === true && !force)) return;
    const done = (): void => {
      if (volume.attachment !== attachment) return;
      delete volume.attachment;
      volume.state = 'available';
    };
    if (this.backing === undefined) {
      done();
      return;
    }
    this.onDevice(volume, async () => {
      if (volume.attachment !== attachment || (attachment.forced === true && !force)) return;
      const loop = attachment.loopDevice;
      try {
        if (!force && loop !== undefined && (await mountsOfDevice(loop)).length > 0) {
          attachment.state = 'busy';
          this.later(BUSY_RECHECK_MS, () => this.completeDetach(volume, attachment, false));
          return;
        }
        await this.unplug(volume, attachment, force);
        done();
      } catch (err) {
        this.deviceErrors.push(`detaching ${volume.volumeId} from ${attachment.instanceId}: ${(err as Error).message}`);
      }
    });
  }

  /** The instance sees the volume: a loop device on its image, linked under the device name it was attached as. */
  private async plugIn(volume: FakeVolume, attachment: FakeAttachment, backing: FakeEc2Backing): Promise<void> {
    const loop = await attachLoopDevice(volume.image!);
    attachment.loopDevice = loop;
    const root = backing.deviceRoot(attachment.instanceId);
    await mkdir(root, { recursive: true });
    const link = join(root, basename(attachment.device));
    await rm(link, { force: true });
    await symlink(loop, link);
    attachment.link = link;
  }

  /** The device leaves the instance; forced, its users are killed and its mounts undone first. */
  private async unplug(volume: FakeVolume, attachment: FakeAttachment, force: boolean): Promise<void> {
    const loop = attachment.loopDevice;
    if (force && loop !== undefined) {
      const released = await killHoldersAndUnmount(loop, silentLogger());
      if (released.length > 0) {
        this.fencedUsers.push({
          volumeId: volume.volumeId,
          instanceId: attachment.instanceId,
          mountPoints: released.map((r) => r.mountPoint),
          pids: released.map((r) => r.holders).filter((h) => h !== '').join(' '),
        });
      }
    }
    if (attachment.link !== undefined) await rm(attachment.link, { force: true });
    if (loop !== undefined) await detachLoopDevice(loop);
  }

  /** Runs device work of a volume after the work already queued for it. */
  private onDevice(volume: FakeVolume, work: () => Promise<void>): void {
    const previous = this.deviceWork.get(volume.volumeId) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.deviceWork.set(volume.volumeId, next);
    void next.finally(() => {
      if (this.deviceWork.get(volume.volumeId) === next) this.deviceWork.delete(volume.volumeId);
    });
  }

  /** Teardown: every loop device of an image in the image directory is unmounted and detached, its links removed. */
  private async releaseAllDevices(backing: FakeEc2Backing): Promise<void> {
    const links = [...this.volumes.values()].flatMap((v) => (v.attachment?.link !== undefined ? [v.attachment.link] : []));
    let images: string[];
    try {
      images = (await readdir(backing.imageDir)).filter((n) => n.endsWith('.img')).map((n) => join(backing.imageDir, n));
    } catch {
      images = [];
    }
    for (const image of images) {
      try {
        for (const loop of await loopDevicesOf(image)) {
          await killHoldersAndUnmount(loop, silentLogger());
          await detachLoopDevice(loop);
        }
      } catch (err) {
        process.stderr.write(`fake EC2: releasing the loop devices of ${image} failed: ${(err as Error).message}\n`);
      }
    }
    for (const link of links) await rm(link, { force: true }).catch(() => undefined);
  }

  private deleteVolume(params: URLSearchParams): string {
    const volume = this.requireVolume(required(params, 'VolumeId'));
    if (volume.attachment !== undefined) throw new Ec2Refusal('VolumeInUse', `Volume ${volume.volumeId} is currently attached to ${volume.attachment.instanceId}`);
    if (volume.state !== 'deleting') {
      if (volume.state !== 'available') throw new Ec2Refusal('IncorrectState', `The volume '${volume.volumeId}' is '${volume.state}'.`);
      volume.state = 'deleting';
      this.later(this.delays.delete, () => {
        volume.state = 'deleted';
        this.volumes.delete(volume.volumeId);
        if (volume.image !== undefined) rmSync(volume.image, { force: true });
      });
    }
    return '<return>true</return>';
  }

  private describeInstances(params: URLSearchParams): string {
    const ids = indexed(params, 'InstanceId');
    for (const id of ids) this.requireInstance(id);
    let found = ids.length > 0 ? ids.map((id) => this.instances.get(id)!) : [...this.instances.values()];
    for (const filter of filters(params)) found = found.filter((i) => instanceMatches(i, filter.name, filter.values));
    const items = found.map((instance) => {
      const mappings = this.mappingsOf(instance)
        .map(
          (m) =>
            `<item><deviceName>${esc(m.device)}</deviceName><ebs><volumeId>${esc(m.volumeId)}</volumeId><status>${m.status}</status><attachTime>${m.attachTime}</attachTime><deleteOnTermination>false</deleteOnTermination></ebs></item>`,
        )
        .join('');
      return (
        `<item><reservationId>r-${hex(17)}</reservationId><ownerId>123456789012</ownerId><instancesSet><item>` +
        `<instanceId>${esc(instance.instanceId)}</instanceId><instanceState><code>16</code><name>running</name></instanceState>` +
        `<privateDnsName>${esc(instance.privateDnsName)}</privateDnsName><privateIpAddress>${esc(instance.privateIp)}</privateIpAddress>` +
        `<placement><availabilityZone>${esc(instance.zone)}</availabilityZone></placement>` +
        `<blockDeviceMapping>${mappings}</blockDeviceMapping></item></instancesSet></item>`
      );
    });
    return `<reservationSet>${items.join('')}</reservationSet>`;
  }

  private createTags(params: URLSearchParams): string {
    const resources = indexed(params, 'ResourceId');
    const tags = indexedPairs(params, 'Tag', 'Key', 'Value');
    for (const id of resources) {
      const volume = this.requireVolume(id);
      for (const [key, value] of tags) volume.tags.set(key, value);
    }
    return '<return>true</return>';
  }

  private devicesOf(instance: FakeInstance): string[] {
    return this.mappingsOf(instance).map((m) => m.device);
  }

  private mappingsOf(instance: FakeInstance): { device: string; volumeId: string; status: string; attachTime: string }[] {
    const own = (instance.devices ?? []).map((device, i) => ({ device, volumeId: `vol-root${i}${instance.instanceId.slice(2, 8)}`, status: 'attached', attachTime: '2026-01-01T00:00:00.000Z' }));
    const attached = [...this.volumes.values()].flatMap((v) =>
      v.attachment?.instanceId === instance.instanceId ? [{ device: v.attachment.device, volumeId: v.volumeId, status: v.attachment.state, attachTime: v.attachment.attachTime }] : [],
    );
    return [...own, ...attached];
  }

  private requireVolume(id: string): FakeVolume {
    const volume = this.volumes.get(id);
    if (volume === undefined) throw new Ec2Refusal('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    return volume;
  }

  private requireInstance(id: string): FakeInstance {
    const instance = this.instances.get(id);
    if (instance === undefined) throw new Ec2Refusal('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }

  private later(ms: number, change: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      change();
    }, ms);
    this.timers.add(timer);
  }

  private requestId(): string {
    return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  }
}

function volumeXml(v: FakeVolume, withAttachments: boolean): string {
  const tags = [...v.tags].map(([k, val]) => `<item><key>${esc(k)}</key><value>${esc(val)}</value></item>`).join('');
  const attachments = withAttachments ? `<attachmentSet>${v.attachment === undefined ? '' : `<item>${attachmentFields(v.volumeId, v.attachment)}<deleteOnTermination>false</deleteOnTermination></item>`}</attachmentSet>` : '';
  return (
    `<volumeId>${v.volumeId}</volumeId><size>${v.size}</size><snapshotId/><availabilityZone>${esc(v.zone)}</availabilityZone>` +
    `<status>${v.state}</status><createTime>${v.createTime}</createTime>${attachments}` +
    (tags === '' ? '' : `<tagSet>${tags}</tagSet>`) +
    `<volumeType>${esc(v.type)}</volumeType>${v.iops === undefined ? '' : `<iops>${v.iops}</iops>`}<encrypted>false</encrypted><multiAttachEnabled>false</multiAttachEnabled>`
  );
}

function attachmentFields(volumeId: string, a: FakeAttachment): string {
  return `<volumeId>${volumeId}</volumeId><instanceId>${esc(a.instanceId)}</instanceId><device>${esc(a.device)}</device><status>${a.state}</status><attachTime>${a.attachTime}</attachTime>`;
}

function attachmentXml(volumeId: string, a: FakeAttachment): string {
  return attachmentFields(volumeId, a);
}

function volumeMatches(v: FakeVolume, name: string, values: string[]): boolean {
  if (name.startsWith('tag:')) return values.includes(v.tags.get(name.slice(4)) ?? '\0');
  switch (name) {
    case 'tag-key':
      return values.some((k) => v.tags.has(k));
    case 'status':
      return values.includes(v.state);
    case 'volume-id':
      return values.includes(v.volumeId);
    case 'availability-zone':
      return values.includes(v.zone);
    case 'attachment.instance-id':
      return v.attachment !== undefined && values.includes(v.attachment.instanceId);
    default:
      throw new Ec2Refusal('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
}

function instanceMatches(i: FakeInstance, name: string, values: string[]): boolean {
  switch (name) {
    case 'private-dns-name':
      return values.includes(i.privateDnsName);
    case 'private-ip-address':
      return values.includes(i.privateIp);
    case 'instance-id':
      return values.includes(i.instanceId);
    case 'availability-zone':
      return values.includes(i.zone);
    default:
      throw new Ec2Refusal('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
}

function sameDevice(a: string, b: string): boolean {
  const letter = (d: string) => /^\/dev\/(?:sd|xvd)([a-z])/.exec(d)?.[1];
  return letter(a) !== undefined && letter(a) === letter(b);
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') throw new Ec2Refusal('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

/** `Prefix.1`, `Prefix.2`, … */
function indexed(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`)!);
  return values;
}

/** `Prefix.1.Key`/`Prefix.1.Value`, … */
function indexedPairs(params: URLSearchParams, prefix: string, key: string, value: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 1; params.has(`${prefix}.${i}.${key}`); i++) pairs.push([params.get(`${prefix}.${i}.${key}`)!, params.get(`${prefix}.${i}.${value}`) ?? '']);
  return pairs;
}

function filters(params: URLSearchParams): { name: string; values: string[] }[] {
  const found: { name: string; values: string[] }[] = [];
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) found.push({ name: params.get(`Filter.${i}.Name`)!, values: indexed(params, `Filter.${i}.Value`) });
  return found;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function hex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}
