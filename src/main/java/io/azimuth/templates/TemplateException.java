package io.azimuth.templates;

/**
 * A template that cannot be prepared or evaluated, with the ARM error code a deployment answers with
 * ({@code InvalidTemplate} for most, {@code ResourceNotFound} when {@code reference()} finds nothing).
 */
public class TemplateException extends RuntimeException {
    private final String code;

    public TemplateException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** A template that ARM would refuse before deploying anything. */
    static TemplateException invalid(String detail) {
        return new TemplateException("InvalidTemplate", "Deployment template validation failed: '" + detail
                + "'.");
    }

    /** An expression that cannot be parsed or evaluated. */
    static TemplateException expression(String expression, String detail) {
        return new TemplateException("InvalidTemplate", "Deployment template language expression evaluation "
                + "failed: 'The language expression '" + expression + "' is not valid: " + detail + "'. Please see "
                + "https://aka.ms/arm-functions for usage details.");
    }
}
