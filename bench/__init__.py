"""Database benchmarks of OTA: data generator, search design comparison, scaling curve."""
