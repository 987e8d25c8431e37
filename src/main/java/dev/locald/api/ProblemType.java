package dev.locald.api;

/** The kinds of problem locald answers with; {@code uri()} is the problem's {@code type}. */
public enum ProblemType {
    INVALID_REQUEST("invalid-request", "The request is invalid"),
    NOT_FOUND("not-found", "Not found"),
    UNAUTHORIZED("unauthorized", "A valid API token is required"),
    FORBIDDEN("forbidden", "The API token does not allow this"),
    METHOD_NOT_ALLOWED("method-not-allowed", "Method not allowed"),
    NOT_ACCEPTABLE("not-acceptable", "No acceptable representation"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", "Unsupported media type"),
    SOURCE_TOO_LARGE("payload-too-large", "The request is too large"),
    QUEUE_FULL("queue-full", "Too many builds are waiting"),
    BUILD_NOT_FINISHED("build-not-finished", "The build has not finished"),
    SOURCE_PATH_DISABLED("source-path-disabled", "Server-side source directories are disabled"),
    IMAGE_NOT_FOUND("image-not-found", "The image does not exist"),
    REGISTRY_CREDENTIALS("registry-credentials", "The registry refused access to the image"),
    REGISTRY_FAILED("registry-failed", "The registry failed or served bad content"),
    IMAGE_UNUSABLE("image-unusable", "The image cannot be used"),
    LAYER_REFUSED("layer-refused", "A layer of the image was refused"),
    IMAGE_IN_USE("image-in-use", "The image is used by a running build"),
    HTTP_ERROR("http-error", "The request failed"),
    INTERNAL("internal-error", "Internal error");

    private final String slug;
    private final String title;

    ProblemType(String slug, String title) {
        this.slug = slug;
        this.title = title;
    }

    public String uri() {
        return "urn:locald:problem:" + slug;
    }

    public String title() {
        return title;
    }
}
