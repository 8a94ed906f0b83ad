"""Many articles at once: per-chunk work (:mod:`.chunk`), worker processes (:mod:`.parallel`) and
Ray Data (:mod:`.ray_engine`)."""
