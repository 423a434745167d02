import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeUnsafe, quoteUntrusted, safeLine, truncate } from './quote.ts';

test('control, bidi and separator characters become visible escapes; other text stays', () => {
  assert.is(escapeUnsafe('a\rb\n\u0000\u001b[2J\u202egnp.exe\u2066\u2028ü日本'), 'a\\rb\\n\\x00\\x1b[2J\\u202egnp.exe\\u2066\\u2028ü日本');
  assert.is(escapeUnsafe('\u0085\u007f'), '\\x85\\x7f');
});

test('long text is cut, saying how much, without splitting a surrogate pair', () => {
  assert.is(truncate('abcdef', 4), 'abcd…(2 more characters)');
  assert.is(truncate('ab😀cd', 3), 'ab…(4 more characters)');
  assert.is(quoteUntrusted('x'.repeat(1 << 20)).length < 260, true);
  assert.is(safeLine('ok'), 'ok');
});

test.run();
