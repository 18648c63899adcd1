// The Drivers module; see ../shared/DESIGN.md.
