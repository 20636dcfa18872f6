// Placeholder: filled in by the module's own files.
