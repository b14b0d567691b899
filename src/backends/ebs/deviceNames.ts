// The device name an EBS volume is attached under. AWS recommends
// /dev/sd[f-p] (shown as /dev/xvd[f-p] by Xen kernels) for data volumes; a
// name is free only when neither spelling is in use on the instance.

export const DEVICE_LETTERS = 'fghijklmnop';

/** The letter a device name ends in, treating /dev/sdX and /dev/xvdX as one name. */
function deviceLetter(name: string): string | undefined {
  const match = /^\/dev\/(?:sd|xvd)([a-z])\d*$/.exec(name);
  return match?.[1];
}

/** The first of /dev/xvdf … /dev/xvdp not in use, or undefined when all eleven are taken. */
export function freeDeviceName(inUse: Iterable<string>): string | undefined {
  const taken = new Set<string>();
  for (const name of inUse) {
    const letter = deviceLetter(name);
    if (letter !== undefined) taken.add(letter);
  }
  for (const letter of DEVICE_LETTERS) if (!taken.has(letter)) return `/dev/xvd${letter}`;
  return undefined;
}
