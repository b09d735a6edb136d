// deploy/Dockerfile as a list of instructions per stage, for the tests that
// check it and the one that runs its CMD as a plain process.
import { readFileSync } from 'node:fs';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

export const DOCKERFILE = 'deploy/Dockerfile';

export function dockerfileStages(text = readFileSync(DOCKERFILE, 'utf8')): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: { from: string; name: string | null; instructions: Instruction[] }[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const [from = '', as, name] = args.split(/\s+/);
      stages.push({
        from,
        name: as?.toUpperCase() === 'AS' ? (name ?? null) : null,
        instructions: [],
      });
    } else {
      stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** The arguments of an exec-form instruction (`CMD ["a", "b"]`), or null for shell form. */
export function execForm(args: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')
      ? parsed
      : null;
  } catch {
    return null;
  }
}

/** The last stage's last instruction with `keyword`. */
export function finalInstruction(keyword: string, stages = dockerfileStages()): string | null {
  const final = stages.at(-1);
  return (
    final?.instructions.filter((instruction) => instruction.keyword === keyword).at(-1)?.args ??
    null
  );
}
