/**
 * 图斑 as an attribute table for exports (CSV, Shapefile, KML). Column names follow the short pinyin
 * abbreviations common in Chinese land-survey data (TBBH 图斑编号, XZQDM 行政区划代码 …) so the
 * Shapefile opens with familiar fields; headers come in Chinese or English. Areas keep the API's
 * 4 decimals of 亩, so every export agrees with the API.
 */
import type { AlertFeature } from '../alerts/alert-feature.js';
import type { ExportColumn, ExportTable } from '../exports/export-table.js';
import { alertStatus } from './alert-query.js';

export const ALERT_COLUMNS: readonly ExportColumn[] = [
  { key: 'id', en: 'Patch ID', zh: '图斑编号', dbfName: 'TBBH', type: 'string' },
  { key: 'regionCode', en: 'County code', zh: '行政区划代码', dbfName: 'XZQDM', type: 'string' },
  { key: 'batchId', en: 'Batch', zh: '批次', dbfName: 'PCH', type: 'string' },
  { key: 'beforeDate', en: 'Before date', zh: '前时相日期', dbfName: 'QSXRQ', type: 'string' },
  { key: 'afterDate', en: 'After date', zh: '后时相日期', dbfName: 'HSXRQ', type: 'string' },
  { key: 'platform', en: 'Platform', zh: '平台', dbfName: 'PT', type: 'string' },
  { key: 'sensor', en: 'Sensor', zh: '传感器', dbfName: 'CGQ', type: 'string' },
  { key: 'beforeSensor', en: 'Before sensor', zh: '前时相传感器', dbfName: 'QSXCGQ', type: 'string' },
  // Empty when every band was compared; else what the detection rests on (epochs of two sensors).
  { key: 'comparedBands', en: 'Bands compared', zh: '对比波段', dbfName: 'DBBD', type: 'string' },
  { key: 'areaM2', en: 'Area (m²)', zh: '面积(平方米)', dbfName: 'MJ_PFM', type: 'number', decimals: 2 },
  { key: 'areaMu', en: 'Area (mu)', zh: '面积(亩)', dbfName: 'MJ_MU', type: 'number', decimals: 4 },
  { key: 'farmlandMu', en: 'In permanent basic farmland outside the red line (mu)', zh: '永久基本农田面积(亩)', dbfName: 'JBNT_MU', type: 'number', decimals: 4 },
  { key: 'redlineMu', en: 'In ecological red line (mu)', zh: '生态保护红线面积(亩)', dbfName: 'STHX_MU', type: 'number', decimals: 4 },
  { key: 'elsewhereMu', en: 'Elsewhere (mu)', zh: '其他面积(亩)', dbfName: 'QT_MU', type: 'number', decimals: 4 },
  { key: 'changeType', en: 'Change type', zh: '变化类型', dbfName: 'BHLX', type: 'string' },
  { key: 'changeScore', en: 'Change score', zh: '变化强度', dbfName: 'BHQD', type: 'number', decimals: 4 },
  { key: 'cloudFreeFraction', en: 'Cloud-free fraction', zh: '无云比例', dbfName: 'WYBL', type: 'number', decimals: 4 },
  { key: 'severity', en: 'Severity', zh: '严重程度', dbfName: 'YZCD', type: 'string' },
  { key: 'status', en: 'Status', zh: '状态', dbfName: 'ZT', type: 'string' },
  { key: 'firstObserved', en: 'First observed', zh: '首次发现日期', dbfName: 'SCFXRQ', type: 'string' },
  { key: 'observations', en: 'Observations', zh: '观测次数', dbfName: 'GCCS', type: 'number', decimals: 0 },
  { key: 'likelyLegal', en: 'Likely legal (approved)', zh: '疑似合法', dbfName: 'YSHF', type: 'string' },
  { key: 'approvals', en: 'Approval numbers', zh: '批准文号', dbfName: 'PZWH', type: 'string' },
  { key: 'lon', en: 'Centroid longitude', zh: '中心经度', dbfName: 'ZXJD', type: 'number', decimals: 7 },
  { key: 'lat', en: 'Centroid latitude', zh: '中心纬度', dbfName: 'ZXWD', type: 'number', decimals: 7 },
  { key: 'detector', en: 'Detector', zh: '检测方法', dbfName: 'JCFF', type: 'string' },
];

export function alertsToTable(alerts: readonly AlertFeature[]): ExportTable {
  return {
    columns: ALERT_COLUMNS,
    rows: alerts.map((a) => {
      const p = a.properties as AlertFeature['properties'] & { changeType?: string; cloudFreeFraction?: number };
      return {
        geometry: a.geometry,
        values: {
          id: a.id,
          regionCode: p.regionCode,
          batchId: p.batchId,
          beforeDate: p.beforeDate,
          afterDate: p.afterDate,
          platform: p.platform,
          sensor: p.sensor,
          beforeSensor: p.beforeSensor ?? p.sensor,
          comparedBands: (p.comparedBands ?? []).join(','),
          areaM2: p.areaM2,
          areaMu: p.areaMu,
          farmlandMu: p.overlap.farmland.areaMu,
          redlineMu: p.overlap.redline.areaMu,
          elsewhereMu: p.elsewhere?.areaMu ?? null,
          changeType: p.changeType ?? null,
          changeScore: p.changeScore,
          cloudFreeFraction: p.cloudFreeFraction ?? null,
          severity: p.severity,
          status: alertStatus(a),
          firstObserved: p.firstObserved ?? p.afterDate,
          observations: p.observations?.length ?? 1,
          likelyLegal: p.likelyLegal ? 'yes' : 'no',
          approvals: (p.approvals ?? []).map((x) => x.number).join('; '),
          lon: p.centroid[0],
          lat: p.centroid[1],
          detector: p.detector,
        },
      };
    }),
  };
}
