export * from './app.config';
export * from './calls.config';
export * from './env.validation';
export * from './gemini.config';
export * from './recording.config';
export * from './twilio.config';
export * from './tracing.config';
