// Copyright 2026 the @paralelo/pool authors. MIT license.
/** A module whose top level throws when it is loaded. @module */
throw new Error("this module refuses to load");
