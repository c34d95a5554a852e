package io.duet.api.timing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.function.Predicate;

/**
 * A proxy that times the calls of an interface into the current request's {@link RequestTimings}: calls that
 * return another interface {@code follow} accepts (a JDBC statement from a connection, a Redis stream from the
 * client) are proxied in turn instead of timed; calls {@code skip} names are forwarded untimed.
 */
final class TimedCalls implements InvocationHandler {
    private final Object target;
    private final RequestTimings.Kind kind;
    private final Predicate<Class<?>> follow;
    private final Predicate<Method> skip;

    private TimedCalls(Object target, RequestTimings.Kind kind, Predicate<Class<?>> follow, Predicate<Method> skip) {
        this.target = target;
        this.kind = kind;
        this.follow = follow;
        this.skip = skip;
    }

    static <T> T wrap(
            Class<T> type, T target, RequestTimings.Kind kind, Predicate<Class<?>> follow, Predicate<Method> skip) {
        return type.cast(Proxy.newProxyInstance(
                type.getClassLoader(), new Class<?>[] {type}, new TimedCalls(target, kind, follow, skip)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Class<?> returns = method.getReturnType();
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "timed " + target;
            };
        }
        if (returns.isInterface() && follow.test(returns)) {
            Object result = forward(method, args);
            return result == null ? null : wrap(cast(returns), result, kind, follow, skip);
        }
        if (skip.test(method)) {
            return forward(method, args);
        }
        long start = System.nanoTime();
        try {
            return forward(method, args);
        } finally {
            RequestTimings.record(kind, System.nanoTime() - start);
        }
    }

    private Object forward(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @SuppressWarnings("unchecked")
    private static Class<Object> cast(Class<?> type) {
        return (Class<Object>) type;
    }
}
