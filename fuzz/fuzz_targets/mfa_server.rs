//! Fuzz target: the MFA Server CSV readers (the activity report and the Blocked and Bypassed User
//! histories), each through its column map. Any input must give a result or an error, never a
//! panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfaudit::input::mfa_server::{ColumnMap, ColumnMaps, Report};
use mfaudit::input::{ReadOptions, read_bytes};

fuzz_target!(|data: &[u8]| {
    let maps = [
        (Report::Activity, "user=User,time=Time,result=Call Result"),
        (
            Report::Blocked,
            "user=User,time=Time,action=Action,by=By,reason=Reason",
        ),
        (
            Report::Bypassed,
            "user=User,time=Time,length=Length,by=By,reason=Reason",
        ),
    ];
    for (report, spec) in maps {
        let mut columns = ColumnMaps::default();
        columns.add(ColumnMap::parse(report, spec).expect("a valid column map"));
        let opts = ReadOptions {
            mfa_server: columns,
            ..ReadOptions::default()
        };
        let _ = read_bytes("fuzz", data.to_vec(), Some(report.kind()), &opts);
    }
});
