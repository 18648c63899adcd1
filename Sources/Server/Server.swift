// The Server module; see ../shared/DESIGN.md.
