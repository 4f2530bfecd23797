export * from './live/live-messages';
