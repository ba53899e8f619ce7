import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { logEnv, parseEnv, redisEnv, storageEnv, storeConfigFromEnv } from './env.js';

const Env = z.object({ ...storageEnv, ...redisEnv, ...logEnv });

describe('service environment', () => {
  it('applies defaults: local data directory, prefix shoutu, level info', () => {
    const env = parseEnv(Env, { REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(env.SHOUTU_DATA_DIR).toBe('./data');
    expect(env.SHOUTU_QUEUE_PREFIX).toBe('shoutu');
    expect(env.LOG_LEVEL).toBe('info');
    expect(storeConfigFromEnv(env)).toEqual({ kind: 'local', dir: './data' });
  });

  it('selects S3 when S3_BUCKET is set', () => {
    const env = parseEnv(Env, { REDIS_URL: 'redis://r:6379', S3_BUCKET: 'shoutu', S3_ENDPOINT: 'http://minio:9000', S3_FORCE_PATH_STYLE: 'false', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' });
    expect(storeConfigFromEnv(env)).toEqual({ kind: 's3', bucket: 'shoutu', prefix: '', region: 'us-east-1', forcePathStyle: false, endpoint: 'http://minio:9000', accessKeyId: 'k', secretAccessKey: 's' });
  });

  it.each([
    [{}, 'REDIS_URL', /REDIS_URL is not set/],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', /REDIS_URL is invalid/],
    [{ REDIS_URL: 'redis://x', S3_BUCKET: 'Bad_Bucket' }, 'S3_BUCKET', /S3_BUCKET is invalid/],
    [{ REDIS_URL: 'redis://x', LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL is invalid/],
    [{ REDIS_URL: 'redis://x', S3_FORCE_PATH_STYLE: 'maybe' }, 'S3_FORCE_PATH_STYLE', /S3_FORCE_PATH_STYLE is invalid/],
  ])('fails fast naming the variable (%o)', (env, variable, message) => {
    let error: unknown;
    try {
      parseEnv(Env, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(variable);
    expect((error as ConfigError).message).toMatch(message);
  });
});
