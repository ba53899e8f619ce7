/** Version of the shoutu code, recorded in run records (kept equal to the root package.json by a test). */
export const SHOUTU_VERSION = '0.1.0';
