/**
 * The commands a shell would run from a snippet of POSIX shell, read without running it: words as the shell
 * splits them (quotes removed, variables left as written), the operator that ends each command, and the raw
 * text of each word so a check can tell a quoted argument from an unquoted one. Enough for the deploy guide's
 * snippets: quotes, backslash continuations, `$(...)`, comments, heredoc bodies (skipped), `for`/`do` loops.
 */

export interface Word {
  /** The word after quote removal (`$VAR` and `$(...)` kept as text). */
  readonly text: string;
  /** The word as written, quotes included. */
  readonly raw: string;
}

export interface Command {
  readonly words: readonly Word[];
  /** The control operator after the command (`|`, `&&`, `;`, newline as `\n`, or '' at the end). */
  readonly next: string;
  /** 1-based line where the command starts, for messages. */
  readonly line: number;
}

const OPERATORS = ['&&', '||', ';;', '|', '&', ';', '(', ')'];
const KEYWORDS = new Set(['do', 'then', 'else', 'elif', '!', 'time', '{']);

/** Splits shell source into simple commands. */
export function shellCommands(source: string): Command[] {
  const commands: Command[] = [];
  let words: Word[] = [];
  let text = '';
  let raw = '';
  let inWord = false;
  let line = 1;
  let startLine = 1;
  const heredocs: string[] = [];
  const endWord = (): void => {
    if (!inWord) return;
    if (words.length === 0) startLine = line;
    words.push({ text, raw });
    text = '';
    raw = '';
    inWord = false;
  };
  const endCommand = (next: string): void => {
    endWord();
    if (words.length) commands.push({ words, next, line: startLine });
    words = [];
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\' && source[i + 1] === '\n') {
      i += 2;
      line++;
      continue;
    }
    if (c === '\n') {
      endCommand('\n');
      line++;
      i++;
      // Skip the bodies of heredocs opened on the line just ended.
      while (heredocs.length) {
        const delimiter = heredocs.shift()!;
        for (;;) {
          const end = source.indexOf('\n', i);
          const bodyLine = source.slice(i, end === -1 ? source.length : end);
          i = end === -1 ? source.length : end + 1;
          line++;
          if (bodyLine.trim() === delimiter || end === -1) break;
        }
      }
      continue;
    }
    if (!inWord && c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t') {
      endWord();
      i++;
      continue;
    }
    if (source.startsWith('<<', i)) {
      endWord();
      const match = /^<<-?\s*(['"]?)([A-Za-z_]+)\1/.exec(source.slice(i));
      if (match) {
        heredocs.push(match[2]);
        i += match[0].length;
        continue;
      }
    }
    const operator = OPERATORS.find((op) => source.startsWith(op, i));
    if (operator && !(operator === '(' && inWord)) {
      endCommand(operator);
      i += operator.length;
      continue;
    }
    if (c === '>' || c === '<') {
      // A redirection: the target is not an argument.
      endWord();
      i++;
      while (source[i] === ' ') i++;
      while (i < source.length && !/[\s;|&]/.test(source[i])) i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      text += source.slice(i + 1, end);
      raw += source.slice(i, end + 1);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < source.length && source[j] !== '"') j += source[j] === '\\' ? 2 : 1;
      text += source.slice(i + 1, j).replace(/\\(["\\$`])/g, '$1');
      raw += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$' && source[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < source.length; j++) {
        if (source[j] === '(') depth++;
        else if (source[j] === ')' && --depth === 0) break;
      }
      text += source.slice(i, j + 1);
      raw += source.slice(i, j + 1);
      i = j + 1;
    } else if (c === '\\') {
      text += source[i + 1] ?? '';
      raw += source.slice(i, i + 2);
      i += 2;
    } else {
      text += c;
      raw += c;
      i++;
    }
  }
  endCommand('');
  return commands;
}

/** The command's words from the program name on (loop keywords and leading `VAR=value` assignments dropped). */
export function programWords(command: Command): Word[] {
  const words = [...command.words];
  while (words.length && (KEYWORDS.has(words[0].text) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0].text))) words.shift();
  return words;
}

/** The fenced ```sh / ```bash blocks of a Markdown file, with the line each starts on. */
export function shellBlocks(markdown: string): Array<{ code: string; line: number }> {
  const blocks: Array<{ code: string; line: number }> = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```(sh|bash|shell)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    while (++i < lines.length && !lines[i].trim().startsWith('```'));
    blocks.push({ code: lines.slice(start, i).join('\n'), line: start + 1 });
  }
  return blocks;
}
