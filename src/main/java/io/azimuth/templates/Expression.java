package io.azimuth.templates;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * ARM's template expression language: a JSON string {@code "[...]"} holds one expression (a {@code "[["} prefix
 * escapes a literal bracket); an expression is a string literal in single quotes ({@code ''} escapes one), an
 * integer, or a function call, each followed by any number of property accesses {@code .name} and indexes
 * {@code [expr]}.
 */
sealed interface Expression {
    record Literal(JsonNode value) implements Expression {
    }

    record Call(String name, List<Expression> args) implements Expression {
    }

    record Member(Expression target, String name) implements Expression {
    }

    record Index(Expression target, Expression index) implements Expression {
    }

    /** Whether a template string is an expression rather than a literal. */
    static boolean isExpression(String s) {
        return s.length() >= 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']' && !s.startsWith("[[");
    }

    /** The literal a non-expression string stands for: {@code "[[x]"} is {@code "[x]"}. */
    static String literal(String s) {
        return s.startsWith("[[") && s.endsWith("]") ? s.substring(1) : s;
    }

    /** Parses the inside of {@code "[...]"}. */
    static Expression parse(String text) {
        Parser p = new Parser(text, text.substring(1, text.length() - 1));
        Expression e = p.expression();
        p.skipSpace();
        if (!p.atEnd()) {
            throw p.error("unexpected '" + p.rest() + "' after the end of the expression");
        }
        return e;
    }

    final class Parser {
        private final String original;
        private final String s;
        private int pos;

        Parser(String original, String s) {
            this.original = original;
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        String rest() {
            return s.substring(pos);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        TemplateException error(String detail) {
            return new TemplateException("InvalidTemplate", "Unable to parse language expression '" + original
                    + "': " + detail + ".");
        }

        Expression expression() {
            Expression e = primary();
            while (true) {
                skipSpace();
                if (peek('.')) {
                    pos++;
                    skipSpace();
                    String name = identifier();
                    if (name.isEmpty()) {
                        throw error("expected a property name after '.'");
                    }
                    e = new Member(e, name);
                } else if (peek('[')) {
                    pos++;
                    Expression index = expression();
                    skipSpace();
                    expect(']');
                    e = new Index(e, index);
                } else {
                    return e;
                }
            }
        }

        private Expression primary() {
            skipSpace();
            if (atEnd()) {
                throw error("expected a value and found the end of the expression");
            }
            char c = s.charAt(pos);
            if (c == '\'') {
                return new Literal(JsonNodeFactory.instance.textNode(string()));
            }
            if (c == '-' || Character.isDigit(c)) {
                return new Literal(number());
            }
            String name = identifier();
            if (name.isEmpty()) {
                throw error("unexpected character '" + c + "'");
            }
            skipSpace();
            if (!peek('(')) {
                switch (name.toLowerCase(Locale.ROOT)) {
                    case "true": return new Literal(BooleanNode.TRUE);
                    case "false": return new Literal(BooleanNode.FALSE);
                    case "null": return new Literal(NullNode.instance);
                    default: throw error("expected '(' after the function name '" + name + "'");
                }
            }
            pos++;
            List<Expression> args = new ArrayList<>();
            skipSpace();
            if (peek(')')) {
                pos++;
                return new Call(name, args);
            }
            while (true) {
                args.add(expression());
                skipSpace();
                if (peek(',')) {
                    pos++;
                } else if (peek(')')) {
                    pos++;
                    return new Call(name, args);
                } else {
                    throw error(atEnd() ? "expected ')' and found the end of the expression"
                            : "expected ',' or ')' and found '" + s.charAt(pos) + "'");
                }
            }
        }

        private String string() {
            StringBuilder out = new StringBuilder();
            pos++;
            while (true) {
                if (atEnd()) {
                    throw error("a string literal is not terminated");
                }
                char c = s.charAt(pos++);
                if (c == '\'') {
                    if (peek('\'')) {
                        out.append('\'');
                        pos++;
                    } else {
                        return out.toString();
                    }
                } else {
                    out.append(c);
                }
            }
        }

        private JsonNode number() {
            int start = pos;
            if (peek('-')) {
                pos++;
            }
            while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                pos++;
            }
            String text = s.substring(start, pos);
            try {
                if (text.contains(".")) {
                    return JsonNodeFactory.instance.numberNode(Double.parseDouble(text));
                }
                return JsonNodeFactory.instance.numberNode(Long.parseLong(text));
            } catch (NumberFormatException e) {
                throw error("'" + text + "' is not a number");
            }
        }

        private String identifier() {
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_'
                    || s.charAt(pos) == '$')) {
                pos++;
            }
            return s.substring(start, pos);
        }

        private boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'" + (atEnd() ? " and found the end of the expression"
                        : " and found '" + s.charAt(pos) + "'"));
            }
            pos++;
        }
    }
}
