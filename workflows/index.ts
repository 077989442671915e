// The workflows the worker runs.
export { collectionCase } from './collection-case';
