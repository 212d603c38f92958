// What the fragments of @flagwise/core's README take from its first snippet.
export { createFlags } from '@flagwise/core';
