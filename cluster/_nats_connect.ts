// Copyright 2026 the @paralelo/pool authors. MIT license.
/**
 * `connect()` of `@nats-io/transport-node`, with a socket that cannot throw
 * an unhandled `error` event into the program.
 *
 * The Node transport drops every listener of its socket with
 * `removeAllListeners()` at several points (once the TCP connection opens,
 * once the server's `INFO` is read, and as it closes), and in Deno's
 * `node:net` a read that failed as the server went away (`ECONNRESET`) may
 * still be emitted after that. An `error` event with no listener throws, so
 * a server killed mid-call could end the whole program with an uncaught
 * `read ECONNRESET` (seen in a test that kills the server). Here each socket
 * keeps one listener that ignores the error: the transport learns of the
 * loss from the `close` event that follows, as it already does, and the
 * pool reports it as a `ClusterConnectionError`.
 *
 * @module
 */
import {
  nodeResolveHost,
  NodeTransport,
} from "npm:@nats-io/transport-node@3.4.0/lib/node_transport.js";
import type { NodeConnectionOptions } from "npm:@nats-io/transport-node@3.4.0";
import {
  NatsConnectionImpl,
  setTransportFactory,
} from "npm:@nats-io/nats-core@3.4.0/internal";
import type { NatsConnection } from "npm:@nats-io/nats-core@3.4.0";

/** What this file needs of a `node:net` socket. */
interface Listening {
  on(event: "error", listener: (error: unknown) => void): unknown;
  removeAllListeners(...event: [string?]): unknown;
}

const ignore = (_error: unknown): void => {};

/** Makes `socket` keep a listener for `error` whatever is removed from it. */
export function guard<S>(socket: S): S {
  const target = socket as unknown as Listening | undefined;
  if (target === undefined || target === null) return socket;
  const removeAll = target.removeAllListeners.bind(target);
  target.removeAllListeners = (...event: [string?]) => {
    // Node tells "all events" from "the event undefined" by the count of
    // arguments, so pass on exactly what was given.
    const result = removeAll(...event);
    if (event[0] === undefined || event[0] === "error") {
      target.on("error", ignore);
    }
    return result;
  };
  target.on("error", ignore);
  return socket;
}

/** The Node transport, with every socket it opens guarded. */
class GuardedTransport extends NodeTransport {
  constructor() {
    super();
    let socket: unknown = undefined;
    Object.defineProperty(this, "socket", {
      configurable: true,
      enumerable: true,
      get: () => socket,
      set: (value: unknown) => {
        socket = guard(value);
      },
    });
  }
}

/**
 * Connects to NATS as `connect()` of `@nats-io/transport-node` does, with
 * guarded sockets.
 *
 * @param options The NATS client's connection options.
 * @returns The connection.
 */
export function connect(
  options: NodeConnectionOptions = {},
): Promise<NatsConnection> {
  setTransportFactory({
    factory: () => new GuardedTransport(),
    dnsResolveFn: nodeResolveHost,
  });
  return NatsConnectionImpl.connect(options);
}
