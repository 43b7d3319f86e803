// cluster-key-slot (the slot function ioredis uses) ships no types.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot (0–16383) of `key`. */
  export default function calculateSlot(key: string): number;
}
