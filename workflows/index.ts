// The workflows the worker runs.
export { collectionCase } from './collection-case';
export { installmentPlan } from './installment-plan';
