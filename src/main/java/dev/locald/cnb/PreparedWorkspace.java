package dev.locald.cnb;

import dev.locald.image.ImageReference;
import dev.locald.lifecycle.BuildWorkspace;

/** The build's directories filled for the phases, with the run image chosen and whether order.toml was written. */
record PreparedWorkspace(BuildWorkspace workspace, ImageReference runImage, boolean customOrder) {}
