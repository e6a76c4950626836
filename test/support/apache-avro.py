"""Apache Avro (python3-avro) as an independent reader and writer of backups, for the tests.

read FILE          prints {"schema": ..., "codec": ..., "records": [...]} as JSON; timestamps as epoch ms
write FILE CODEC   reads {"schema": ..., "records": [...]} as JSON on stdin and writes a container file;
                   ints in timestamp-millis fields become datetimes first
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


def write(path, codec):
    spec = json.load(sys.stdin)
    timestamps = {
        f["name"]
        for f in spec["schema"]["fields"]
        if isinstance(f["type"], dict) and f["type"].get("logicalType") == "timestamp-millis"
    }
    schema = avro.schema.parse(json.dumps(spec["schema"]))
    with open(path, "wb") as handle:
        writer = avro.datafile.DataFileWriter(handle, avro.io.DatumWriter(), schema, codec=codec)
        for record in spec["records"]:
            for name in timestamps:
                record[name] = EPOCH + datetime.timedelta(milliseconds=record[name])
            writer.append(record)
        writer.close()


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2])
    else:
        write(sys.argv[2], sys.argv[3])
