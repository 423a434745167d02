// Preloaded by hack/run-tests.mjs (uvu -r). Two ways uvu loses a failure, both made loud here:
// - a suite's before hook throws: uvu counts every test of the suite as failed, prints nothing of
//   the error, and exits 0;
// - a test (or hook) throws a value uvu cannot print (not an Error: a string, undefined, a plain
//   object; or an Error whose `details` is not a string): uvu's own formatter throws on it, its
//   runner swallows that, and the test and every later one of the suite count as failed, unnamed,
//   with exit code 0.
// `test` and `suite` are replaced by wrappers whose handlers turn such a value into an Error (its
// inspected form as the message), and a failed before hook is printed and makes the exit code 1.
const { inspect } = require('node:util');
const uvu = require('uvu');

let setupFailed = false;
process.once('exit', () => {
  // uvu sets the exit code from its test errors alone, at the end of its run.
  if (setupFailed) process.exitCode = 1;
});

/** `error` if uvu can print it, else an Error that says what was thrown. */
function printable(error) {
  const details = error?.details;
  if (error instanceof Error && typeof error.name === 'string' && typeof error.message === 'string' && (details === undefined || details === false || typeof details === 'string')) return error;
  return new Error(`threw a value uvu cannot print: ${inspect(error, { depth: 4, breakLength: Infinity }).slice(0, 2000)}`, { cause: error });
}

const guard = (handler) => async (state) => {
  try {
    return await handler(state);
  } catch (error) {
    throw printable(error);
  }
};

const guardBefore = (handler) => async (state) => {
  try {
    return await handler(state);
  } catch (error) {
    setupFailed = true;
    process.stderr.write(`\n✘ the suite's before hook failed, so every test in it counts as failed:\n${printable(error).stack}\n`);
    throw error;
  }
};

/** A suite's `test` whose every handler goes through `guard`. */
function guarded(original) {
  const test = (name, handler) => original(name, guard(handler));
  test.only = (name, handler) => original.only(name, guard(handler));
  test.skip = (...args) => original.skip(...args);
  test.before = (handler) => original.before(guardBefore(handler));
  test.before.each = (handler) => original.before.each(guard(handler));
  test.after = (handler) => original.after(guard(handler));
  test.after.each = (handler) => original.after.each(guard(handler));
  test.run = () => original.run();
  return test;
}

const originalSuite = uvu.suite;
uvu.test = guarded(uvu.test);
uvu.suite = (...args) => guarded(originalSuite(...args));
