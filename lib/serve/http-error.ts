/** An error with the HTTP status the API answers it with; the message is one line. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const notFound = (what: string) => new HttpError(404, what);
export const conflict = (what: string) => new HttpError(409, what);
export const badRequest = (what: string) => new HttpError(400, what);
