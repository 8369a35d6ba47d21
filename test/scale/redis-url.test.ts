import { describe, expect, it } from "vitest";
import { jobId, runKey } from "../../lib/scale/keys";
import { checkRedisUrl, maskRedisUrl } from "../../lib/scale/redis";

describe("Redis URLs and queue names", () => {
  it("masks the password in every form of URL", () => {
    expect(maskRedisUrl("redis://:s3cret@10.0.0.5:6379")).toBe("redis://:***@10.0.0.5:6379");
    expect(maskRedisUrl("rediss://user:s3cret@h:6380/2")).toBe("rediss://user:***@h:6380/2");
    expect(maskRedisUrl("redis://h:6379")).toBe("redis://h:6379");
    expect(maskRedisUrl("not a url :s3cret@x")).not.toContain("s3cret");
  });

  it("accepts redis:// and rediss:// only, naming the fix", () => {
    expect(checkRedisUrl("redis://:p@127.0.0.1:6379").port).toBe("6379");
    expect(() => checkRedisUrl("http://h")).toThrow(/must start with redis:\/\/ or rediss:\/\//);
    expect(() => checkRedisUrl("::::")).toThrow(/is not a URL; expected redis:\/\//);
  });

  it("gives jobs ids without ':' that name run, study and trials, the same every time", () => {
    const a = jobId(runKey("r", "2026-01-01T00:00:00.000Z"), "sma_cross|mar|1y", [8, 9, 10]);
    expect(a).not.toContain(":");
    expect(a).toMatch(/^[0-9a-f]{16}\|[0-9a-f]{12}\|8-10$/);
    expect(jobId(runKey("r", "2026-01-01T00:00:00.000Z"), "sma_cross|mar|1y", [8, 9, 10])).toBe(a);
    expect(jobId(runKey("r", "2026-01-01T00:00:00.000Z"), "sma_cross|mar|1y", [8, 10])).not.toBe(a);
    expect(jobId(runKey("r", "2026-01-01T00:00:00.001Z"), "sma_cross|mar|1y", [8, 9, 10])).not.toBe(a);
  });
});
