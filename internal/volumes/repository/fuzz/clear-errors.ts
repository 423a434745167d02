// What counts as a clear error for the repository fuzzer: an Error of the repository's (or the
// store's) own, with a message a person can act on — one short line, no control or bidi
// characters — not a raw TypeError/SyntaxError/RangeError, a Node system error or a stack.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const RAW: (new (...args: never[]) => Error)[] = [TypeError, SyntaxError, RangeError, ReferenceError, EvalError, URIError];
export const MAX_MESSAGE = 1000;

/** What is wrong with a line shown to a person (an error message, a check problem), if anything. */
export function textProblem(text: string): string | undefined {
  if (!text.trim()) return 'an empty message';
  if (UNSAFE.test(text)) return `control or bidi characters in ${JSON.stringify(text.slice(0, 200))}`;
  if (text.length > MAX_MESSAGE) return `a ${text.length}-character message`;
  if (/^\s*at \S+ \(/.test(text)) return `a stack instead of a message: ${text.slice(0, 200)}`;
  return undefined;
}

/** Why `error` is not a clear error, or undefined when it is one. */
export function unclearError(error: unknown): string | undefined {
  if (!(error instanceof Error)) return `threw a non-Error (${typeof error}: ${String(error).slice(0, 100)})`;
  const message = String(error.message);
  if (RAW.some((raw) => error instanceof raw)) return `threw a raw ${error.name}: ${message.slice(0, 300)}`;
  const code = (error as NodeJS.ErrnoException).code;
  if ((error as NodeJS.ErrnoException).syscall || (typeof code === 'string' && code.startsWith('ERR_'))) return `threw a raw system error ${String(code)}: ${message.slice(0, 300)}`;
  const problem = textProblem(message);
  return problem && `threw ${error.name} with ${problem}`;
}
