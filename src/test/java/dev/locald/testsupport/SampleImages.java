package dev.locald.testsupport;

import java.util.List;

/** Images whose layers exercise what extraction and assembly must get right; shared by several suites. */
public final class SampleImages {

    private SampleImages() {}

    /** Three layers (gzip, zstd, plain) exercising whiteouts, opaque dirs, links, owners and modes. */
    public static List<TestImage.Layer> whiteoutsLinksAndOwners() {
        LayerTar base = LayerTar.create()
                .dir("bin")
                .dir("etc")
                .dir("usr")
                .dir("usr/lib")
                .dir("usr/bin")
                .symlink("lib", "usr/lib")
                .file("usr/lib/libc.so", "libc", 0755, 0, 0)
                .file("usr/bin/su", "su-binary", 04755, 0, 0)
                .file("usr/bin/wall", "wall", 02755, 0, 5)
                .symlink("bin/su", "/usr/bin/su")
                .file("etc/somefile", "to be whited out")
                .file("etc/keep", "old keep")
                .file("etc/passwd", "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n")
                .dir("home")
                .dir("home/user", 0750, 1000, 1000)
                .file("home/user/notes", "mine", 0600, 1000, 1000)
                .dir("tmp", 01777, 0, 0)
                .dir("opt")
                .dir("opt/app")
                .file("opt/app/old1", "old1")
                .file("opt/app/old2", "old2")
                .dir("opt/app/olddir")
                .file("opt/app/olddir/deep", "deep")
                .hardlink("opt/hard", "opt/app/old1")
                .dir("d")
                .dir("d/sub")
                .file("d/sub/x", "x")
                .file("d/sub/y", "y")
                .dir("var")
                .symlink("var/run", "/run");
        LayerTar middle = LayerTar.create()
                .whiteout("etc/somefile")
                .dir("opt/app", 0755, 0, 0)
                .file("opt/app/new1", "new1")
                .opaque("opt/app")
                .hardlink("opt/hard2", "opt/app/new1")
                .whiteout("d/sub/y")
                .dir("home/user", 0750, 1000, 1000)
                .file("home/user/.profile", "export A=1\n", 0644, 1000, 1000)
                .file("etc/keep", "new keep", 0640, 0, 0);
        LayerTar top = LayerTar.create()
                .whiteout("d")
                .dir("e", 02775, 1000, 1000)
                .file("e/f", "ef", 0664, 1000, 1000)
                .hardlink("e/g", "e/f")
                .symlink("e/abs", "/etc/passwd")
                .whiteout("opt/hard")
                .file("usr/bin/tool", "tool", 0755, 0, 0);
        return List.of(
                new TestImage.Layer(base.toBytes(), TestImage.Compression.GZIP),
                new TestImage.Layer(middle.toBytes(), TestImage.Compression.ZSTD),
                new TestImage.Layer(top.toBytes(), TestImage.Compression.NONE));
    }
}
