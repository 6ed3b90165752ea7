package io.azimuth.blobs;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * URLs other than blob URIs that serve a blob's bytes and may be the source of a copy: a disk's access URL (its SAS)
 * is the export blob it reads. A provider registers how to recognise its URLs; a resolver answers empty for a URL
 * that is not its own and throws (the provider's own error) for one that is but may not be read, such as an expired
 * signature.
 */
public final class CopySources {
    private final List<Function<String, Optional<BlobRef>>> resolvers = new CopyOnWriteArrayList<>();

    public void register(Function<String, Optional<BlobRef>> resolver) {
        resolvers.add(resolver);
    }

    /** The blob a URL stands for, when a provider serves it. */
    public Optional<BlobRef> resolve(String url) {
        for (Function<String, Optional<BlobRef>> r : resolvers) {
            Optional<BlobRef> blob = r.apply(url);
            if (blob.isPresent()) {
                return blob;
            }
        }
        return Optional.empty();
    }
}
