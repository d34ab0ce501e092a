"""Shandong (山东省): …情况表 titles, the function code split into 类 / 款 / 项 columns."""

NAME = "shandong"
PROVINCE = "山东省"
CITIES = ("济南市", "青岛市", "淄博市", "枣庄市", "东营市", "烟台市", "潍坊市", "济宁市", "泰安市", "威海市",
          "日照市", "临沂市", "德州市", "聊城市", "滨州市", "菏泽市")
