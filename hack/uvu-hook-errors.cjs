// Preloaded by hack/run-tests.mjs (uvu -r): uvu counts every test of a suite as failed when its
// before hook throws, but prints nothing of the error. This prints it, so a failed setup says why.
const { test } = require('uvu');

const original = test.before;
test.before = function before(handler) {
  return original(async (state) => {
    try {
      return await handler(state);
    } catch (error) {
      // uvu ends such a run with exit code 0 (its runner only counts test errors): make it 1.
      process.once('exit', () => {
        process.exitCode = 1;
      });
      process.stderr.write(`\n✘ the suite's before hook failed, so every test in it counts as failed:\n${error?.stack ?? error}\n`);
      throw error;
    }
  });
};
test.before.each = original.each;
