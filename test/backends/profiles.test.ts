import t from 'tap';
import { profileProblem, profilesOf, DEFAULT_PROFILE } from '../../src/backends/profiles.js';
import { freeDeviceName } from '../../src/backends/ebs/deviceNames.js';

t.test('every backend offers gold, silver and bronze; an unknown profile is refused everywhere', async (t) => {
  for (const backend of ['local', 'loopback', 'ebs'] as const) {
    t.same(Object.keys(profilesOf(backend)).sort(), ['bronze', 'gold', 'silver'], backend);
    t.equal(profileProblem(backend, 'gold'), undefined);
    t.match(profileProblem(backend, 'platinum'), /unknown profile "platinum": use one of gold, silver, bronze/);
  }
  t.equal(DEFAULT_PROFILE, 'silver', 'a dataset without a profile is silver');
  t.equal(profileProblem('ebs', undefined, 512), undefined);
});

t.test('local and loopback profiles are documented as equal; EBS ones name their volume types', async (t) => {
  t.equal(new Set(Object.values(profilesOf('local'))).size, 1);
  t.equal(new Set(Object.values(profilesOf('loopback'))).size, 1);
  t.match(profilesOf('ebs'), { gold: /io2/, silver: /gp3/, bronze: /st1/ });
});

t.test('an EBS dataset too small for its profile type is refused at submission, with what to do', async (t) => {
  t.match(profileProblem('ebs', 'bronze', 10 * 1024), /st1.*at least 125 GiB.*at least 128000 MiB or choose another profile/);
  t.match(profileProblem('ebs', 'gold', 3 * 1024), /io2.*at least 4 GiB/);
  t.equal(profileProblem('ebs', 'bronze', 125 * 1024), undefined);
  t.equal(profileProblem('loopback', 'bronze', 10), undefined, 'only EBS types have minimum sizes');
});

t.test('EBS device names skip every name in use, in either spelling', async (t) => {
  t.equal(freeDeviceName([]), '/dev/xvdf');
  t.equal(freeDeviceName(['/dev/sda1', '/dev/xvdf', '/dev/sdg']), '/dev/xvdh');
  t.equal(freeDeviceName('fghijklmnop'.split('').map((l) => `/dev/sd${l}`)), undefined);
});
