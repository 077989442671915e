// The workflows the worker runs. The collection-case workflow lands here with its own issue.
export {};
