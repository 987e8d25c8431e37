package dev.locald.janitor;

import java.nio.file.Path;
import java.util.List;

/**
 * What one janitor run removed, and what it could not do.
 *
 * @param builds     finished builds deleted by the retention
 * @param containers runc containers killed and deleted because no run owned them
 * @param mounts     mounts under the work root unmounted because their build was not running
 * @param workDirs   work directories deleted because no build record owned them
 * @param tempFiles  stale partial downloads and extractions deleted
 * @param store      what the store collection removed (null when it failed)
 * @param errors     one sentence per step that failed; the other steps still ran
 */
record JanitorReport(
        List<String> builds,
        List<String> containers,
        List<Path> mounts,
        List<Path> workDirs,
        int tempFiles,
        StoreCollector.Report store,
        List<String> errors) {}
