"""The keyword table's first rows: the words a district government's work report uses for each
department's field of work (教育 → 教育局 …), by the department names the shipped fixtures use.
Admins edit them in 管理后台 › 牵头单位关键词."""

from django.db import migrations

KEYWORDS = {
    "区政府办公室": "政务 电子政务 办公自动化 实事",
    "发展和改革局": "地区生产总值 固定资产投资 重大项目 项目建设 投资规模 主要经济指标 国民生产总值 节能减排 项目 投资",
    "财政局": "预算收入 财政 专项经费 资金",
    "统计局": "统计 普查 可支配收入 纯收入",
    "审计局": "审计",
    "招商局": "招商 引进到位资金 签约",
    "商务局": "社会消费品零售 商贸 肉菜市场 便民菜店 连锁店 现代服务业 商务",
    "工商分局": "工商 无证经营",
    "住房和城乡建设局": "保障性住房 廉租房 安置房 安臵房 旧城改造 城中村 拆迁 五星级酒店 城市综合体 地标性建筑 住房",
    "国土资源分局": "整理土地 建设用地 土地 地质灾害",
    "规划分局": "规划",
    "房产管理局": "房产 房屋征收",
    "城市管理局(城管执法局)": "环卫 公厕 垃圾 城市管理 机械化清扫 洗扫 小街巷 亮化 楼院 违法建设",
    "环境保护局": "大气污染 燃煤锅炉 小煤炉 餐饮企业 排污 废水 空气质量 环境保护",
    "农林局": "绿化 林草 苗木 绿地 小游园 绿色雕塑 盆花 新农村 农产品 农业 造林 公园",
    "水务局": "水利 河洪道 洪道 泵站 供水 灌区",
    "交通运输局": "道路 公路 交通 人行道",
    "九州开发区管委会(北城区开发办)": "北城区 九州",
    "教育局": "教育 学校 幼儿园 教学楼 教师 毕业生 名师 青少年社会实践",
    "卫生局": "卫生 医疗 医院 医师 健康小屋 疫苗 中医 慢性病 专科",
    "科学技术局": "科技 专利 孵化 产学研",
    "文化体育局": "文化 体育 健身 少年宫 彩票 文明创建",
    "旅游局": "旅游",
    "民政局": "养老 低保 救助 社会救助 贫困大学生",
    "人力资源和社会保障局": "就业 社保 社会保险 社会保障卡 创业 医疗保险 报销 劳动监察 小额担保贷款 失业率",
    "人口和计划生育局": "计划生育 计生 人口自然增长率",
    "残疾人联合会": "残疾",
    "食品药品监督管理局": "食品药品 药房",
    "质量技术监督局": "质量技术",
    "公安分局": "公安 治安 视频监控 派出所",
    "司法局": "法律援助 法律咨询 司法 社区矫正 普法",
    "信访局": "信访 矛盾纠纷",
    "安全生产监督管理局": "安全生产",
    "各街道办事处": "社区服务 精品服务社区 街道",
}


def seed(apps, schema_editor):
    DepartmentKeyword = apps.get_model("drafting", "DepartmentKeyword")
    DepartmentKeyword.objects.bulk_create(
        [
            DepartmentKeyword(keyword=keyword, department_name=name)
            for name, words in KEYWORDS.items()
            for keyword in words.split()
        ],
        ignore_conflicts=True,
    )


def unseed(apps, schema_editor):
    DepartmentKeyword = apps.get_model("drafting", "DepartmentKeyword")
    DepartmentKeyword.objects.filter(keyword__in=[k for words in KEYWORDS.values() for k in words.split()]).delete()


class Migration(migrations.Migration):
    dependencies = [("drafting", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
