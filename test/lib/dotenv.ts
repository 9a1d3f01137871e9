// The repository checks read dotenv files with the same parser as scripts/dev.mjs.
export { parseDotenvText, readDotenvFile, type DotenvEntry } from '../../scripts/lib/dotenv.mjs';
