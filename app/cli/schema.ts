import { parse } from './args.ts';
import { specJsonSchema } from '../../shared/schema/spec.ts';

/** `optlab schema`: the experiment spec's JSON Schema, for editors and form builders. */
export async function schemaCommand(argv: string[]): Promise<number> {
  parse(argv, {}, false);
  console.log(JSON.stringify(specJsonSchema(), null, 2));
  return 0;
}
