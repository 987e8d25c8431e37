package dev.locald.api;

import dev.locald.config.LocaldConfig;
import dev.locald.image.Digest;
import dev.locald.pull.ImageCatalog;
import dev.locald.pull.ImageInUseException;
import dev.locald.pull.LayerRefusedException;
import dev.locald.registry.RegistryException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The images API: warm the cache before builds ({@code POST /images}), see what is cached, inspect one
 * image, delete one. Registry failures become problems with the registry's sentence: unknown image 404,
 * refused or missing credentials 403 (locald itself asked for nothing, so not 401), bad content or an
 * unreachable registry 502, an image locald cannot use or a hostile layer 422.
 */
@Path("/images")
public class ImagesResource {

    private final ImageCatalog catalog;
    private final boolean allowLoopback;

    public ImagesResource(ImageCatalog catalog, LocaldConfig config) {
        this.catalog = catalog;
        this.allowLoopback = config.registry().allowLoopback();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "pullImage",
            summary = "Pull an image into the store and describe it",
            description =
                    "Body: {\"reference\": \"...\", \"registryAuth\": {\"username\": \"...\", \"password\": \"...\"}}. "
                            + "For a builder the answer adds its CNB user, platform APIs and run images.")
    public ImageView pull(byte[] body) throws IOException {
        ImagePullRequest request = ImagePullRequest.parse(body, allowLoopback);
        try {
            ImageCatalog.Pulled pulled = catalog.pull(request.reference(), request.credential());
            return ImageView.of(pulled.image(), request.reference(), pulled.warnings());
        } catch (RegistryException e) {
            throw registryProblem(e);
        } catch (LayerRefusedException e) {
            throw new ProblemException(Problem.of(
                    ProblemType.LAYER_REFUSED,
                    422,
                    "layer " + e.layer() + " of " + request.reference()
                            + " was refused and nothing of the image was kept: " + e.reason()));
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "listImages",
            summary = "List the cached images with their sizes, most recently used first")
    public ImageListView list() throws IOException {
        return ImageListView.of(catalog.list());
    }

    @GET
    @Path("/{digest}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getImage", summary = "Describe one cached image by its manifest digest")
    public ImageView get(@PathParam("digest") String digest) throws IOException {
        Digest manifest = digest(digest);
        return ImageView.of(catalog.find(manifest).orElseThrow(() -> notCached(manifest)), null);
    }

    @DELETE
    @Path("/{digest}")
    @Operation(
            operationId = "deleteImage",
            summary = "Remove a cached image and the layers nothing else uses",
            description = "409 while a running build uses the image.")
    public Response delete(@PathParam("digest") String digest) throws IOException {
        Digest manifest = digest(digest);
        try {
            catalog.delete(manifest).orElseThrow(() -> notCached(manifest));
        } catch (ImageInUseException e) {
            throw new ProblemException(Problem.of(ProblemType.IMAGE_IN_USE, 409, e.getMessage()));
        }
        return Response.noContent().build();
    }

    private static Digest digest(String text) {
        try {
            return Digest.parse(text);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid(
                    "digest",
                    "'" + BuildRequestParser.printable(text)
                            + "' is not an image digest: expected the manifest digest, sha256: and 64 lower-case hex digits");
        }
    }

    private static ProblemException notCached(Digest manifest) {
        return ProblemException.notFound(
                "no cached image has the manifest digest " + manifest + " (GET /images lists the cached ones)");
    }

    private static ProblemException registryProblem(RegistryException e) {
        Problem problem = switch (e.kind()) {
            case NOT_FOUND -> Problem.of(ProblemType.IMAGE_NOT_FOUND, 404, e.getMessage());
            case UNAUTHORIZED -> Problem.of(ProblemType.REGISTRY_CREDENTIALS, 403, e.getMessage());
            case TOO_LARGE, UNSUPPORTED -> Problem.of(ProblemType.IMAGE_UNUSABLE, 422, e.getMessage());
            case DIGEST_MISMATCH, UNREACHABLE, INVALID -> Problem.of(ProblemType.REGISTRY_FAILED, 502, e.getMessage());
        };
        return new ProblemException(problem);
    }
}
