"""Apache Avro (python3-avro) as an independent reader and writer of backups, for the tests.

read FILE          prints {"schema": ..., "codec": ..., "records": [...]} as JSON; timestamps as epoch ms
write FILE CODEC   reads {"schema": ..., "records": [...]} as JSON on stdin and writes a container file;
                   ints in timestamp-millis fields (nullable or not) become datetimes first.
                   CODEC: null, deflate, snappy (python3-snappy), bzip2
"""
import datetime
import json
import sys

import avro.datafile
import avro.io
import avro.schema

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def to_json(value):
    if isinstance(value, datetime.datetime):
        return round((value - EPOCH).total_seconds() * 1000)
    return value


def read(path):
    with open(path, "rb") as handle:
        reader = avro.datafile.DataFileReader(handle, avro.io.DatumReader())
        codec = reader.get_meta("avro.codec")
        schema = json.loads(reader.get_meta("avro.schema").decode("utf-8"))
        records = [{k: to_json(v) for k, v in record.items()} for record in reader]
        reader.close()
    print(json.dumps({"schema": schema, "codec": codec.decode("utf-8") if codec else "null", "records": records}))


def is_timestamp(field_type):
    if isinstance(field_type, list):
        return any(is_timestamp(branch) for branch in field_type)
    return isinstance(field_type, dict) and field_type.get("logicalType") == "timestamp-millis"


def write(path, codec):
    if codec == "snappy":
        import snappy  # noqa: F401 -- name the missing package rather than an "unsupported codec"
    spec = json.load(sys.stdin)
    timestamps = {f["name"] for f in spec["schema"]["fields"] if is_timestamp(f["type"])}
    schema = avro.schema.parse(json.dumps(spec["schema"]))
    with open(path, "wb") as handle:
        writer = avro.datafile.DataFileWriter(handle, avro.io.DatumWriter(), schema, codec=codec)
        for record in spec["records"]:
            for name in timestamps:
                if record.get(name) is not None:
                    record[name] = EPOCH + datetime.timedelta(milliseconds=record[name])
            writer.append(record)
        writer.close()


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        write(sys.argv[2], sys.argv[3])
