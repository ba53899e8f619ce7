export * from './upload-session.js';
