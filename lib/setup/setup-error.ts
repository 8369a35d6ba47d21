import { StratlabError } from "../errors";

/** The install is broken (build output missing, the self-link impossible): exit 2, one line. */
export class SetupError extends StratlabError {}
