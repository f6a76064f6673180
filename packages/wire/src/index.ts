// Public surface: named re-exports only (see CONVENTIONS.md). Filled by the package issue.
export {};
