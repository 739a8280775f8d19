// Placeholder: the R-tree and sliding-window index land here.
