export * from './schema.js';
export * from './rest.js';
export * from './socket.js';
