/**
 * Files through Redis, content-addressed: the coordinator puts the run's data and cost
 * files under their sha256; a worker that lacks a file takes it once, checks its sha256 and
 * keeps it in its cache folder. A file the worker has locally must hash to the same value.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Redis } from "ioredis";
import { RunError } from "../errors";
import { sha256, writeFileAtomic } from "../io/atomic";
import { keys } from "./keys";

/** Put a file's bytes unless that sha256 is already there; returns the sha256. */
export async function putBlob(redis: Redis, path: string, ttlSeconds: number): Promise<string> {
  const bytes = readFileSync(path);
  const sha = sha256(bytes);
  // NX: one copy per content, however many coordinators share it; EX refreshes nothing else.
  await redis.set(keys.blob(sha), bytes, "EX", ttlSeconds, "NX");
  await redis.expire(keys.blob(sha), ttlSeconds);
  return sha;
}

export async function hasBlob(redis: Redis, sha: string): Promise<boolean> {
  return (await redis.exists(keys.blob(sha))) === 1;
}

/**
 * The local path of the file with this sha256: from the cache folder, or taken from Redis
 * once (checked, then written atomically). A missing or altered blob is one clear line.
 */
export async function fetchBlob(redis: Redis, sha: string, cacheDir: string, what: string): Promise<string> {
  const path = join(cacheDir, sha);
  if (existsSync(path) && sha256(readFileSync(path)) === sha) return path;
  const bytes = await redis.getBuffer(keys.blob(sha));
  if (bytes === null) throw new RunError(`the run's ${what} file (sha256 ${sha.slice(0, 12)}) is not in Redis; restart the coordinator (stratlab optimize --resume-from DIR) so it uploads it again`);
  const got = sha256(bytes);
  if (got !== sha) throw new RunError(`the ${what} file taken from Redis has sha256 ${got.slice(0, 12)}, not ${sha.slice(0, 12)}; it was altered in transit or in Redis`);
  mkdirSync(cacheDir, { recursive: true });
  writeFileAtomic(path, bytes);
  return path;
}
