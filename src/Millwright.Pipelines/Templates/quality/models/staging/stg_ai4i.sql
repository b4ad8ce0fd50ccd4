-- One row per product of the AI4I 2020 milling data. The failure mode is the flag that is set; MULTIPLE when more
-- than one is; UNLABELED for the 9 failures with no flag (a known quirk of the data). RNF (random failure) is set on
-- 18 rows that are not counted as failures: they keep machine_failure = false and failure_mode RNF.
select
    udi,
    product_id,
    type as quality_variant,
    air_temperature_k,
    process_temperature_k,
    process_temperature_k - air_temperature_k as temperature_difference_k,
    rotational_speed_rpm,
    torque_nm,
    torque_nm * rotational_speed_rpm * 2 * pi() / 60 as power_w,
    tool_wear_min,
    machine_failure = 1 as machine_failure,
    twf = 1 as tool_wear_failure,
    hdf = 1 as heat_dissipation_failure,
    pwf = 1 as power_failure,
    osf = 1 as overstrain_failure,
    rnf = 1 as random_failure,
    case
        when twf + hdf + pwf + osf + rnf > 1 then 'MULTIPLE'
        when twf = 1 then 'TWF'
        when hdf = 1 then 'HDF'
        when pwf = 1 then 'PWF'
        when osf = 1 then 'OSF'
        when rnf = 1 then 'RNF'
        when machine_failure = 1 then 'UNLABELED'
        else 'NONE'
    end as failure_mode
from {{ source('raw', 'ai4i2020') }}
