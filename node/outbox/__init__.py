"""Publishing: client-to-server outbox POSTs, addressing, and the durable delivery queue."""
