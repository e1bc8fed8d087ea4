/** The Redis version Sluice answers as: clients gate features on it. */
export const REDIS_VERSION = '7.2.4';
/** Sluice's own version, reported in INFO as sluice_version. */
export const SLUICE_VERSION = '0.1.0';
